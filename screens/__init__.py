"""What staff see: the Textual screens of frontdesk. Imports `frontdesk`, never the reverse."""
