-- Tanh.lua — nn.Tanh: the hyperbolic tangent.
return require("nn._declare").activation("Tanh", "tanh", {},
  "The hyperbolic tangent, elementwise.")
