"""CLI commands of the backtest_commands part (registered on leadscore.cli.app)."""
