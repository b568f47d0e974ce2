"""Project settings. trackmw-kedro registers itself through the ``kedro.hooks`` entry point.

Migrating from kedro-mlflow? Until you uninstall it, switch its hook off (the underscore
matters: "kedro-mlflow" disables nothing).
"""

DISABLE_HOOKS_FOR_PLUGINS = ("kedro_mlflow",)
