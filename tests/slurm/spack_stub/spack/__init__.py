"""A tiny stand-in for Spack, enough to import and exercise cluster/packaging/spack/package.py
without Spack itself (tests/slurm/check_spack_recipe.py). Not Spack's behaviour in full."""
