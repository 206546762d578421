"""Citation extraction beside the pipeline: find the citations in a text (Markdown, PDF), resolve them
to the project's works and record who cites whom."""
