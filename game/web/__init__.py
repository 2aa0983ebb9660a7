"""The workshop room: Koers served to a room of browsers (`koers serve`)."""
