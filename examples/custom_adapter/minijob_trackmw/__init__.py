"""trackmw for minijob: jobs become MLflow runs with minijob's identity and UI links."""
