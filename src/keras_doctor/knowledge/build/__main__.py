"""`python -m keras_doctor.knowledge.build`: rebuild the knowledge base from the package index."""

import sys

from keras_doctor.knowledge.build import main

sys.exit(main())
