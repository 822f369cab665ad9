"""The founder's confirmation at a visit: a one-time code sent to his phone, or a signature drawn on the screen."""
