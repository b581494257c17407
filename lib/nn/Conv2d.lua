-- Conv2d.lua — nn.Conv2d, 2-D convolution as a layer (the machinery is nn.ConvNd).
return require("nn.ConvNd").class("Conv2d", 2, false,
  "nn.Conv2d(in_channels, out_channels, kernel_size, "
    .. "{stride=1, padding=0, dilation=1, groups=1, bias=true, padding_mode='zeros', dtype=})",
  "2-D convolution over (N, C, H, W) or (C, H, W) inputs; weight (out, in/groups, kH, kW) with "
    .. "PyTorch's default initialisation; sizes are numbers or {h, w}, padding may also be 'same' "
    .. "(stride 1) or 'valid'.",
  [[
torch.manual_seed(0)
local conv = nn.Conv2d(1, 6, 5, {padding = 2})
print(conv)
print(table.concat(conv(torch.randn(4, 1, 28, 28)).shape, "x"))   -- (N, 6, 28, 28)
print(table.concat(conv.weight.shape, "x"))                       -- (out, in, kH, kW)]])
