"""Document formats shared by the folder and Confluence sources: Markdown, HTML, PDF."""
