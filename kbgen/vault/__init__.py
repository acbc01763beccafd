"""The vault: notes and attachments on disk, read into plain data (no MkDocs here)."""
