"""Pages of the chat app."""
