"""WTForms per area: shape and field validation only."""
