"""Ground-truth files and annotation records shared by readers, writers and the generator."""
