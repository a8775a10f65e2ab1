"""Property-based tests of the command line's contract on generated input (docs/cli.md)."""
