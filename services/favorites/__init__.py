"""收藏 (favourites): the listings a signed-in user saved to come back to, each with a short note of their own."""
