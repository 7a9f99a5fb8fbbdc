"""A SavedModel folder without saved_model.pb inside TF-Hub's module cache is an incomplete cached
download (`weights-cache-corrupt`), not a model of another format; elsewhere it stays
`model-format-incompatible`. Real error lines from public threads, both sides.

TF-Hub names each module folder after the SHA-1 of its handle under `tfhub_modules` in the temp
folder and never fetches a folder with anything left in it again (tensorflow_hub/resolver.py).
"""

from __future__ import annotations

from keras_doctor.explain import explain_text
from keras_doctor.findings import StepKind

# tensorflow/hub#850 (macOS, hub.KerasLayer on a MobileNet feature vector)
MAC = ("OSError: SavedModel file does not exist at: /var/folders/9y/yyk41v6n0fn2plkwb8wc5tdw0000gn/"
       "T/tfhub_modules/145bb06ec3b59b08fb564ab752bd5aa222bfb50a/"
       "{saved_model.pbtxt|saved_model.pb}")
MAC_MODULE = ("/var/folders/9y/yyk41v6n0fn2plkwb8wc5tdw0000gn/T/tfhub_modules/"
              "145bb06ec3b59b08fb564ab752bd5aa222bfb50a")
# tensorflow/tensorflow#47686 (Windows, Model Maker): TensorFlow joins its own "/" to a
# backslashed folder
WINDOWS = (
    '  File "c:\\Users\\raywl\\AppData\\Local\\Programs\\Python\\Python38\\lib\\site-packages\\'
    'tensorflow\\python\\saved_model\\loader_impl.py", line 111, in parse_saved_model\n'
    '    raise IOError("SavedModel file does not exist at: %s/{%s|%s}" %\n'
    "OSError: SavedModel file does not exist at: C:\\Users\\raywl\\AppData\\Local\\Temp\\"
    "tfhub_modules\\87f7b0d2504a48175f521bcaed174acabc93672c/{saved_model.pbtxt|saved_model.pb}")
WINDOWS_MODULE = ("C:\\Users\\raywl\\AppData\\Local\\Temp\\tfhub_modules\\"
                  "87f7b0d2504a48175f521bcaed174acabc93672c")
# tensorflow/tensorflow#47837: a Keras .h5 file given to the SavedModel loader
H5_PATH = ("OSError: SavedModel file does not exist at: /home/pi/Downloads/tf_lite_model.h5/"
           "{saved_model.pbtxt|saved_model.pb}")
# tensorflow/tensorflow#22480: a folder the user named, with no saved_model.pb in it
USER_FOLDER = ("OSError: SavedModel file does not exist at: "
               "saved_model_dir/{saved_model.pbtxt|saved_model.pb}")


def top(text: str):
    return explain_text(text).findings[0]


def test_a_module_folder_in_tf_hubs_cache_is_an_incomplete_download_and_its_folder_is_deleted():
    found = top(MAC)
    assert found.cause == "weights-cache-corrupt"
    assert found.evidence["hub_module_dir"] == MAC_MODULE
    delete, keep = found.fix
    assert (delete.kind, delete.target, delete.destructive) == (StepKind.EDIT, MAC_MODULE, True)
    assert "TFHUB_CACHE_DIR" in keep.description


def test_a_windows_cache_folder_is_read_whole_up_to_the_module_folder():
    found = top(WINDOWS)
    assert found.cause == "weights-cache-corrupt"
    assert found.evidence["hub_module_dir"] == WINDOWS_MODULE


def test_a_user_name_with_a_space_stays_in_the_folder_to_delete():
    # the same line as tensorflow/tensorflow#47686 under a user folder with a space in its name
    found = top(WINDOWS.replace("raywl", "Ray Wong"))
    assert found.evidence["hub_module_dir"] == WINDOWS_MODULE.replace("raywl", "Ray Wong")


def test_a_keras_file_or_a_users_folder_given_to_the_loader_stays_a_format_question():
    for text in (H5_PATH, USER_FOLDER):
        found = top(text)
        assert found.cause == "model-format-incompatible", text
        assert "hub_module_dir" not in found.evidence
