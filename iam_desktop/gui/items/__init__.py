"""Canvas items: nodes, frames (accounts and organization units) and edges; they draw, never edit."""
