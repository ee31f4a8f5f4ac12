SQMP
frobnicate
----------
Frobnicates.
EQMP
