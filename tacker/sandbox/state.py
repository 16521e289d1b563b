"""The sandbox's state directory: wiped at each start, never a stranger's.

Every run starts clean, so the directory is emptied first.  A directory
that holds anything but a previous sandbox's state (no marker file) is
refused with ``StateDirError``, so a mistyped ``--state-dir`` never
deletes a user's files.
"""

import pathlib
import shutil

MARKER = '.tacker-sandbox'


class StateDirError(Exception):
    """The state directory cannot be used (or must not be wiped)."""


def prepare(path):
    """Empty ``path`` (creating it) and mark it as the sandbox's own."""
    path = pathlib.Path(path).resolve()
    if path.exists():
        if not path.is_dir():
            raise StateDirError('%s exists and is not a directory' % path)
        if any(path.iterdir()) and not (path / MARKER).exists():
            raise StateDirError(
                '%s is not empty and was not made by tacker-sandbox; '
                'choose another --state-dir' % path)
        for child in path.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    path.mkdir(parents=True, exist_ok=True)
    (path / MARKER).write_text('State of tacker-sandbox; wiped at each '
                               'start.\n')
    return path
