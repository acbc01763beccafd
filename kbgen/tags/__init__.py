"""Tags: the tag model (which notes carry which tag, as a tree) and the tag pages."""
