"""The model library: the list of shipped and user models, their cards, rename and delete."""
