"""The suite runs in test mode with a private data dir, whatever the caller's environment."""


def test_suite_runs_in_test_mode_with_a_private_data_dir(settings):
    assert settings.TESTING
    assert settings.TASKS["default"]["BACKEND"] == "django_tasks.backends.immediate.ImmediateBackend"
    assert settings.DATA_DIR.name == "labora-test-data"
