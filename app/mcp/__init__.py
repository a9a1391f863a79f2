"""The assistants' face: the REST API's questions as Model Context Protocol tools.

arguments (typed, described) → questions (the REST parser and answers) → tools (shape, never
arithmetic) → outputs (typed answers); server assembles them; http mounts them at /mcp with the
SDK's auth support (access: tokens and Basic credentials); stdio serves `video-metrics mcp`.
"""
