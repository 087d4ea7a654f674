<%
Set labels = CreateObject("Scripting.Dictionary")
labels("title") = "Orders"
labels("eval") = "Evaluation"
x = labels("title") & " - " & Request("page")
Response.Write Server.HTMLEncode(x)
%>
