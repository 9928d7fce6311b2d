# install rules (owned by packaging helper)
