# builder/module.mk: the component cache and the builder's own helpers.

PADDOCK_CACHE ?= $(HOME)/.cache/paddock
export PADDOCK_CACHE

.PHONY: components
components:
	@tools/components configs/components.lock
