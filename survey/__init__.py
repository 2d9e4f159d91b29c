"""cocreate's survey layer: instruments as data, collection, storage, imports and exports."""

__version__ = "0.1.0"
