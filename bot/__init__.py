"""The runtime that hosts the dialog on the channels."""
