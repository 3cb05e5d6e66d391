"""The search: build-time analysis and index writing, and the Python twin of the browser's query engine."""
