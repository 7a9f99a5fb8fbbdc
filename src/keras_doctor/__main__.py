"""`python -m keras_doctor` runs the command line."""

import sys

from keras_doctor.cli import main

sys.exit(main())
