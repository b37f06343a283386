"""Loaded by pytest as a plugin (`-p labora.testing` in pytest.ini) before Django reads its
settings: test mode (fast password hashes, tasks run immediately) and a private data dir, so a
test run never touches a real instance's data."""

import os
import tempfile

os.environ["LABORA_TESTING"] = "1"
os.environ["LABORA_DATA_DIR"] = os.path.join(tempfile.gettempdir(), "labora-test-data")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789")
