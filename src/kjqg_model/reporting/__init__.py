"""For readers: tables, charts, the PDF brief and its batch, the explorer."""
