"""Read queries for pages and the API: eager loading, pagination, no writes."""
