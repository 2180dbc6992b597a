"""Built-in plugin: OZG/LeiKa catalogue sync, versions, browser and gap analysis."""
