-- Argo CD health of a ContributorNode: Healthy when registered on chain and online.
local hs = { status = "Progressing", message = "waiting for the Uranus operator" }
if obj.status == nil or obj.status.conditions == nil then
  return hs
end
local conditions = {}
for _, c in ipairs(obj.status.conditions) do
  conditions[c.type] = c
end
local registered = conditions["Registered"]
local online = conditions["Online"]
if registered ~= nil and registered.status == "False" then
  hs.status = "Degraded"
  hs.message = registered.message or "not registered on chain"
elseif online ~= nil and online.status == "False" then
  hs.status = "Degraded"
  hs.message = online.message or "offline"
elseif registered ~= nil and registered.status == "True" and online ~= nil and online.status == "True" then
  hs.status = "Healthy"
  hs.message = "registered and online"
end
return hs
