"""CLI commands of the learn_commands part (registered on leadscore.cli.app)."""
