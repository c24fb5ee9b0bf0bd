"""Front ends that turn a platform's input into engine events and the engine's replies into output."""
