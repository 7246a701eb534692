"""The painter: stroke files, compositing, exporters and the `paint` command line."""
