"""One module per subcommand (see `kassavirta.cli`)."""
