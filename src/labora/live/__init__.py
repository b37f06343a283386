"""Live updates over websockets (docs/api.md, "Live updates"): the outbox publishes every event
to its workspace's channel-layer group; each connection filters by what its user may see."""
