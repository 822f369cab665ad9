"""What assembles every domain for operators: the command line, the demo world, health, the periodic schedule."""
