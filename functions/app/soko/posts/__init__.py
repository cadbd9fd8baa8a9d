"""Farming knowledge: posts (the seed's blog service) with images, PDFs and short videos."""
