# The student's JupyterLab (`make lab`), besides jupyter_server_config.json beside this file.
#
# A lesson opens without the unsaved-changes dot. The dot came from the kernel: on connecting,
# JupyterLab writes the kernel's language_info (with its Python version) into the notebook's
# metadata, and any change marks the notebook modified. The generated lessons cannot carry
# that version (it is the student's Python, not the instructor's), so the server fills it in
# as it hands a notebook to JupyterLab, with the values the kernel is about to report. The
# file on disk is untouched until the student saves.
import sys

from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager

KERNEL_LANGUAGE_INFO = {  # what ipykernel reports, for the Python running this server
    "codemirror_mode": {"name": "ipython", "version": sys.version_info[0]},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
    "version": sys.version.split()[0],
}


class LessonContentsManager(AsyncLargeFileManager):
    async def get(self, path, content=True, type=None, format=None, **kwargs):
        model = await super().get(path, content=content, type=type, format=format, **kwargs)
        if model.get("type") == "notebook" and isinstance(model.get("content"), dict):
            metadata = model["content"].setdefault("metadata", {})
            if metadata.get("language_info", {}).get("name", "python") == "python":
                metadata["language_info"] = dict(KERNEL_LANGUAGE_INFO)
        return model


c.ServerApp.contents_manager_class = LessonContentsManager  # noqa: F821 (traitlets' config)
