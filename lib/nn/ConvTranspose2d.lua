-- ConvTranspose2d.lua — nn.ConvTranspose2d, 2-D transposed convolution as a layer (the machinery is nn.ConvNd).
return require("nn.ConvNd").class("ConvTranspose2d", 2, true,
  "nn.ConvTranspose2d(in_channels, out_channels, kernel_size, "
    .. "{stride=1, padding=0, output_padding=0, groups=1, bias=true, dilation=1, dtype=})",
  "2-D transposed convolution (conv2d's input gradient as a layer, e.g. to upsample); weight "
    .. "(in, out/groups, kH, kW); m(x, output_size) picks the output size among those the stride allows.",
  [[
torch.manual_seed(0)
local up = nn.ConvTranspose2d(8, 4, 2, {stride = 2})
print(up)
print(table.concat(up(torch.randn(1, 8, 7, 7)).shape, "x"))   -- 7x7 becomes 14x14]])
