"""What the HTML pages and the JSON API share: reading a request's parameters, uploads and jobs,
cached questions to the warehouse. Both faces import from here; neither imports the other."""
