"""The agents' door: an MCP server whose `brand_scan_analytics` tool reads the scans endpoint."""
