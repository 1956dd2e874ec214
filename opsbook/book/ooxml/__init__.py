"""Office Open XML parts: package-level grafting and styles.xml editing."""
