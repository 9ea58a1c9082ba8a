"""Wrong answers written as a student writes them, for the tests that type or grade them."""

# MulLayer whose backward returns the two gradients swapped (mistake mul_layer.swapped_gradients).
WRONG_MUL_LAYER = """class MulLayer:
    def __init__(self):
        self.x = None
        self.y = None

    def forward(self, x, y):
        self.x = x
        self.y = y
        return x * y

    def backward(self, dout):
        return dout * self.x, dout * self.y
"""
