"""Problem → Solution: the ordered Steps of the forward pass, the chain rule and the updates."""
