"""Pure import engine: reading files, parsing cells, planning rows. No Django imports."""
